"""QA contract: what a caller sends to an endpoint and gets back, read from the handler (core.generate.contract_facts)."""

from __future__ import annotations

import pytest

from core.context import Context
from core.generate import stage as gen_stage
from core.generate.backends.template import TemplateBackend
from core.generate.contract_facts import contract_items
from core.generate.plan import Planner
from storage import Database
from tests.conftest import DELETE_IN_IF_ELSE_FAILS, EXAMPLE_REPO, edited_shop

ADMIN = "shop-admin/src/main/java/io/acdp/shop/admin/"


def _items(db, repo) -> dict:
    ctx = Context(db=db, repo=repo, domains=["order", "stock"], backend="template", lang="en")
    planner = Planner("shop", repo, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])
    return {i.facts["handler"]: i for i in contract_items(planner)}


@pytest.fixture
def items(shop_db) -> dict:
    return _items(shop_db, EXAMPLE_REPO)


def _params(item) -> dict:
    return {p["name"]: p for p in item.facts["params"]}


def test_request_params_follow_springs_required_and_default_rules(items):
    close = _params(items["OrdOrderController.close"])
    assert close["ids"]["key"] == "ids" and close["ids"]["required"] and close["ids"]["list"]
    assert close["note"]["key"] == "note" and close["note"]["required"]   # `@RequestParam String note`: its own name
    listed = items["OrdOrderController.list"]
    params = _params(listed)
    assert params["pageSize"]["default"] == "5" and not params["pageSize"]["required"]
    assert params["queryParam"]["kind"] == "form"   # an unannotated project class: filled from request parameters
    assert [f["name"] for f in params["queryParam"]["dto"]["fields"]][:3] == ["orderSn", "receiverKeyword", "status"]
    assert _params(items["InvSkuStockController.getList"])["keyword"]["why"] == "required_false"


def test_returns_carry_their_conditions_and_the_local_they_test(items):
    item = items["InvSkuStockController.adjust"]
    returns = item.facts["returns"]
    assert [r["expr"] for r in returns] == ['CommonResult.validateFailed("skuId is required")',
                                            "CommonResult.success(count)", 'CommonResult.failed("库存调整失败")']
    assert returns[0]["conds"][0]["code"] == "param.getSkuId() == null"
    assert returns[1]["sources"][0]["value"] == "skuStockService.adjustStock(param, operator)"
    header = _params(item)["operator"]
    assert (header["kind"], header["key"], header["default"]) == ("header", "X-Operator", "admin")
    answer = TemplateBackend.draft(item).answer
    assert 'the request header `X-Operator`, optional: "admin" when absent' in answer
    assert "- otherwise `CommonResult.failed(\"库存调整失败\")`" in answer
    assert "a JSON `InvStockAdjustParam` object with the fields" in answer


def test_shallow_endpoints_are_not_asked(items):
    assert "OrdRefundPageController.approve" not in items   # one id in the path, one plain return
    assert "OrdRefundPageController.list" not in items      # nothing to send
    assert "OrdPortalOrderController.cancelTimeOutOrder" not in items


def test_constraints_are_checked_only_where_valid_triggers_them_and_views_are_pages(tmp_path):
    edits = [(ADMIN + "dto/InvStockAdjustParam.java", "import lombok.Setter;",
              "import lombok.Setter;\n\nimport javax.validation.constraints.Min;\nimport javax.validation.constraints.NotNull;"),
             (ADMIN + "dto/InvStockAdjustParam.java", "    private Long skuId;", "    @NotNull\n    private Long skuId;"),
             (ADMIN + "dto/InvStockAdjustParam.java", "    private Integer quantity;",
              "    @Min(-1000)\n    private Integer quantity;"),
             (ADMIN + "controller/InvSkuStockController.java", "public CommonResult<Integer> adjust(@RequestBody",
              "public CommonResult<Integer> adjust(@Valid @RequestBody"),
             (ADMIN + "controller/InvSkuStockController.java", "import java.util.List;",
              "import javax.validation.Valid;\nimport java.util.List;\nimport java.util.Map;\n"
              "import org.springframework.security.access.prepost.PreAuthorize;"),
             (ADMIN + "controller/InvSkuStockController.java", "        int count = skuStockService.adjustStock(",
              "        param.setNote(operator);\n        int count = skuStockService.adjustStock("),
             (ADMIN + "controller/InvSkuStockController.java", '    @PostMapping("/adjust")',
              '    @PreAuthorize("hasRole(\'STOCK\')")\n    @PostMapping("/adjust")'),
             (ADMIN + "controller/InvSkuStockController.java",
              '(@RequestParam(value = "productId", required = false) Long productId) {',
              "(@RequestParam Map<String, Object> filters) {\n        Long productId = (Long) filters.get(\"productId\");"),
             ("shop-portal/src/main/java/io/acdp/shop/portal/page/OrdRefundPageController.java",
              "    public ModelAndView approve(@PathVariable Long id) {\n        refundService.approve(id);\n"
              "        return new ModelAndView(\"redirect:/refund/list\");",
              "    public ModelAndView approve(@PathVariable Long id, @RequestParam(defaultValue = \"false\") Boolean back) {\n"
              "        refundService.approve(id);\n        if (back) {\n            return new ModelAndView(\"refund/list\");\n"
              "        }\n        return new ModelAndView(\"redirect:/refund/list\");"),
             ("shop-portal/src/main/java/io/acdp/shop/portal/page/OrdRefundPageController.java",
              "import org.springframework.web.bind.annotation.RequestMapping;",
              "import org.springframework.web.bind.annotation.RequestMapping;\n"
              "import org.springframework.web.bind.annotation.RequestParam;")]
    repo, db_path = edited_shop(tmp_path, edits)
    items = _items(Database(db_path, wait=0.5), repo)
    adjust = _params(items["InvSkuStockController.adjust"])["param"]
    assert adjust["valid"] and [f["constraints"] for f in adjust["dto"]["fields"]][:2] == [["@NotNull"], ["@Min(-1000)"]]
    answer = TemplateBackend.draft(items["InvSkuStockController.adjust"]).answer
    assert "`skuId` (Long), documented as \"sku id\", `@NotNull`" in answer and "The constraints are checked" in answer
    fields = {f["name"]: f for f in adjust["dto"]["fields"]}
    assert fields["note"]["overwritten"]["code"] == "param.setNote(operator)"
    assert items["InvSkuStockController.adjust"].facts["access"][0]["code"] == "@PreAuthorize(\"hasRole('STOCK')\")"
    assert "Access: `@PreAuthorize" in answer and "the handler replaces what is sent with `param.setNote(operator)`" in answer
    low = items["InvSkuStockController.lowStock"]
    assert _params(low)["filters"]["kind"] == "all_params"   # a Map takes every parameter, none required
    assert "every request parameter, as a map" in TemplateBackend.draft(low).answer
    page = items["OrdRefundPageController.approve"]
    assert page.facts["response"]["kind"] == "view"
    assert [r["view"] for r in page.facts["returns"]] == ["refund/list", "redirect:/refund/list"]
    page_answer = TemplateBackend.draft(page).answer
    assert "redirects to `/refund/list`" in page_answer and "renders the view `refund/list`" in page_answer


def test_a_field_the_service_sets_on_every_path_is_said_to_be_replaced(tmp_path):
    """The handler passes the request object to a service that sets `status` before anything branches: what the
    caller sends for it is replaced, and the answer says by which line (blind read 20A: mall S31 listed a
    `createTime` the service overwrites as something to send). A setter inside a branch is a special case, not a
    replacement."""
    impl = ADMIN + "service/impl/OrdOrderServiceImpl.java"
    edits = [(impl, "        OrdOrder current = orderMapper.selectByPrimaryKey(receiverInfoParam.getOrderId());",
              "        receiverInfoParam.setStatus(0);\n"
              "        if (receiverInfoParam.getReceiverCity() == null) {\n"
              "            receiverInfoParam.setReceiverCity(\"-\");\n"
              "        }\n"
              "        if (receiverInfoParam.getReceiverName() != null) {\n"
              "            orderMapper.deleteByPrimaryKey(receiverInfoParam.getOrderId());\n"
              "        }\n"
              "        OrdOrder current = orderMapper.selectByPrimaryKey(receiverInfoParam.getOrderId());")]
    repo, db_path = edited_shop(tmp_path, edits)
    item = _items(Database(db_path, wait=0.5), repo)["OrdOrderController.updateReceiverInfo"]
    fields = {f["name"]: f for f in _params(item)["receiverInfoParam"]["dto"]["fields"]}
    assert fields["status"]["overwritten"]["by"] == "OrdOrderServiceImpl.updateReceiverInfo"
    assert "overwritten" not in fields["receiverCity"]
    # a setter under a test that the field was not sent is its default; a write a field's value switches on is said
    # with its test (blind read 21H: mall S39)
    assert fields["receiverCity"]["defaulted"]["test"] == "receiverInfoParam.getReceiverCity() == null"
    draft = TemplateBackend.draft(item)
    assert ("`receiverCity` (String); when it is not sent (`receiverInfoParam.getReceiverCity() == null`), "
            "`OrdOrderServiceImpl.updateReceiverInfo` sets it with `receiverInfoParam.setReceiverCity(\"-\")`") in draft.answer
    assert ("When `receiverInfoParam.getReceiverName() != null`, `OrdOrderServiceImpl.updateReceiverInfo` also runs "
            "`orderMapper.deleteByPrimaryKey(receiverInfoParam.getOrderId())` (OrdOrderServiceImpl.java:") in draft.answer
    assert ("`status` (Integer); `OrdOrderServiceImpl.updateReceiverInfo` replaces what is sent with "
            "`receiverInfoParam.setStatus(0)`") in draft.answer
    cited = {(e.path, n) for e in item.evidence for n in range(e.start_line, e.end_line + 1)}
    assert (impl, fields["status"]["overwritten"]["line"]) in cited


def test_an_input_says_which_rows_it_picks_down_the_calls(items):
    """`GET /order/list` takes a query object; each field it sends ends in a condition of `OrdOrderDao.getList`
    (checked by hand against OrdOrderDao.xml), said with the test it sits under and cited with the calls that pass
    it on (blind read 20A: contract answers that only listed parameters were rated boilerplate)."""
    item = items["OrdOrderController.list"]
    effects = {e["field"]: e for x in item.facts["params"] for e in x.get("effects") or []}
    assert effects["orderSn"]["scope"] == "OrdOrderDao.getList"
    assert effects["orderSn"]["cond"]["code"] == "order_sn = #{queryParam.orderSn}"
    assert [h["callee"] for h in effects["orderSn"]["hops"]] == ["OrdOrderServiceImpl.list", "OrdOrderDao.getList"]
    draft = TemplateBackend.draft(item)
    assert "- `OrdOrderDao.getList` reads the rows that match `queryParam.orderSn` in `order_sn = #{queryParam.orderSn}` " \
        "(OrdOrderDao.xml:" in draft.answer
    assert "; `queryParam.status` in `status = #{queryParam.status}` (OrdOrderDao.xml:" in draft.answer
    cited = {(e.path, n) for e in item.evidence for n in range(e.start_line, e.end_line + 1)}
    for e in effects.values():
        assert all((h["path"], h["line"]) in cited for h in e["hops"])
        assert (e["cond"]["path"], e["cond"]["line"]) in cited
    # an update picks its rows too, and says so
    close = items["OrdOrderController.close"]
    assert "`OrdOrderServiceImpl.close` updates the rows that match `ids` in `andIdIn(ids)`" in \
        TemplateBackend.draft(close).answer


def test_a_code_the_query_also_tests_is_said_with_its_label_and_cited_where_it_is_declared(items):
    """`close` updates only rows still in status 0; the answer says what 0 means, and the claim cites the dictionary
    line that says it (blind read 22T: mall S15 said `andStatusEqualTo(3)` and never that 3 means rejected)."""
    close = items["OrdOrderController.close"]
    draft = TemplateBackend.draft(close)
    assert '`andStatusEqualTo(0)` (0 = "待付款")' in draft.answer
    claim = next(c for c in draft.trace if c.claim == 'code 0 is labelled "待付款"')
    label = next(c["label"] for e in (x.get("effects") or [] for x in close.facts["params"]) for q in e
                 for c in q["others"] if c["code"] == "andStatusEqualTo(0)")
    cited = [e for e in close.evidence if e.id in claim.evidence_ids]
    assert any(e.path == label["path"] and e.start_line <= label["line"] <= e.end_line for e in cited)
    assert "待付款" not in next(c.claim for c in draft.trace if "has `andStatusEqualTo(0)`" in c.claim)


def test_a_request_object_says_which_fields_the_code_reads(items):
    """`updateReceiverInfo` reads eight fields of its body down in the service and never `status`: the answer says
    which it reads (blind read 20B: newbee S9 listed every field of a cart item as something to send). A body used
    whole (passed to a write, copied) gets no such sentence."""
    item = items["OrdOrderController.updateReceiverInfo"]
    body = _params(item)["receiverInfoParam"]["dto"]
    read = {r["field"] for r in body["read"]}
    assert "orderId" in read and "receiverCity" in read and "status" not in read
    draft = TemplateBackend.draft(item)
    assert "The code reads only `orderId`, " in draft.answer and "is not used" in draft.answer
    cited = {(e.path, n) for e in item.evidence for n in range(e.start_line, e.end_line + 1)}
    assert all((r["path"], r["line"]) in cited for r in body["read"])
    place = items["OrdPortalOrderController.generateOrder"]
    assert "read" not in _params(place)["orderParam"]["dto"]


PORTAL_ORDERS = "shop-portal/src/main/java/io/acdp/shop/portal/service/impl/OrdPortalOrderServiceImpl.java"


def test_an_input_that_keys_a_record_picks_the_row_its_write_by_key_changes(items, tmp_path):
    """`confirmReceiveOrder` loads the order by `orderId` and writes it back by its key: the rows `orderId` picks are
    the read and that update, each cited (blind read 21G: mall S6/S22 named a lookup and left out the write that
    matters). A write inside a branch says the branch."""
    item = items["OrdPortalOrderController.confirmReceiveOrder"]
    answer = TemplateBackend.draft(item).answer
    assert "- `OrdOrderMapper.selectByPrimaryKey` reads the rows that match `orderId` (as `id`)" in answer
    assert "- `OrdOrderMapper.updateByPrimaryKeySelective` updates the rows that match `orderId` (as `order.id`) in " \
           "`id = #{id,jdbcType=BIGINT}` (OrdOrderMapper.xml:" in answer
    cited = {(e.path, n) for e in item.evidence for n in range(e.start_line, e.end_line + 1)}
    lines = (EXAMPLE_REPO / PORTAL_ORDERS).read_text(encoding="utf-8").splitlines()
    write = next(n for n, t in enumerate(lines, 1) if n > 358 and "orderMapper.updateByPrimaryKeySelective(order)" in t)
    assert (PORTAL_ORDERS, write) in cited

    edits = [(PORTAL_ORDERS, "        order.setDeleteStatus(1);\n        orderMapper.updateByPrimaryKeySelective(order);",
              "        if (order.getDeleteStatus() == 0) {\n            order.setDeleteStatus(1);\n"
              "            orderMapper.updateByPrimaryKeySelective(order);\n        }")]
    repo, db_path = edited_shop(tmp_path, edits)
    branch = TemplateBackend.draft(_items(Database(db_path, wait=0.5), repo)["OrdPortalOrderController.deleteOrder"])
    assert "updates the rows that match `orderId` (as `order.id`) in `id = #{id,jdbcType=BIGINT}` (OrdOrderMapper.xml:" \
           in branch.answer
    assert ", only when `order.getDeleteStatus() == 0` (OrdPortalOrderServiceImpl.java:" in branch.answer


def test_a_parameter_a_resolver_fills_is_not_said_to_need_nothing_from_the_caller(items):
    """`@LoginUser Integer userId` is filled by a HandlerMethodArgumentResolver from the request (a token header):
    "the caller sends no parameter" alone read as "nothing is needed" (blind read 21I: litemall S14)."""
    from core.generate.contract_facts import contract_answer
    from core.generate.qa_templates import Cite
    item = items["OrdOrderController.list"]
    resolved = {"kind": "resolved", "name": "userId", "decl": "@LoginUser Integer userId", "line": item.facts["sig_line"],
                "annotation": "LoginUser", "resolver": {"class": "LoginUserResolver", "path": item.facts["path"],
                                                         "line": item.facts["sig_line"], "header": None}}
    answer, _ = contract_answer("contract", {**item.facts, "params": [resolved]}, "en", "s", Cite(item.evidence),
                                item.facts["path"])
    assert "The caller sends no request parameter; what the resolver below reads from the request" in answer
    assert "The caller sends no parameter" not in answer


def test_an_input_the_service_reassigns_is_not_said_to_pick_rows(tmp_path):
    """mall's portal order list does `if (status == -1) status = null;` before `if (status != null)
    criteria.andStatusEqualTo(status)`: "the rows that match `status`, only when `status != null`" is said of the
    reassigned local, not of what the caller sends (blind read 22M: S28). A reassigned input is followed no further."""
    from storage import Database

    impl = ADMIN + "service/impl/OrdOrderServiceImpl.java"
    repo, db_path = edited_shop(tmp_path, [
        (impl, '            throw new IllegalArgumentException("ids must not be empty");\n        }\n',
         '            throw new IllegalArgumentException("ids must not be empty");\n        }\n'
         '        if (ids.size() > 100) {\n            ids = ids.subList(0, 100);\n        }\n')])
    close = _items(Database(db_path), repo)["OrdOrderController.close"]
    assert not any(e for x in close.facts["params"] if x["name"] == "ids" for e in x.get("effects") or [])
    assert "the rows that match `ids`" not in TemplateBackend.draft(close).answer


def test_a_list_body_says_its_element_fields_are_not_followed(items):
    """`@RequestBody List<OrdOrderDeliveryParam>`: the answer gives the element's JSON shape and says that which of
    its fields the code uses is not followed (blind read 22M: mall S17 read the field list as what is used)."""
    answer = TemplateBackend.draft(items["OrdOrderController.delivery"]).answer
    assert "a JSON array of `OrdOrderDeliveryParam` objects, each with the fields of the class (which of them the " \
           "code reads, keeps or stores is not followed through the list here)" in answer


def test_an_effect_says_the_early_exits_before_it(items):
    """`OrdOrderServiceImpl.close` throws on an empty `ids` before its update: "updates the rows that match `ids`"
    alone would hide the check a caller hits first (blind read 22P: mall S37, `updateStatus` returns 0 unless the
    status is 0 or 1)."""
    close = items["OrdOrderController.close"]
    answer = TemplateBackend.draft(close).answer
    assert "unless an earlier check ends the method first: `ids == null || ids.isEmpty()` (OrdOrderServiceImpl.java:" \
        in answer
    shown = "\n".join(e.text for e in close.evidence)
    assert 'throw new IllegalArgumentException("ids must not be empty")' in shown


def test_a_token_header_whose_constant_reads_as_a_secret_is_named_by_the_constant(tmp_path):
    """`LOGIN_TOKEN_KEY = "X-Litemall-Token"` is flagged by the secrets check, so its value is kept out of the
    evidence; the answer still says which header the caller must send, by the constant's name (blind read 22T:
    litemall S40 left the header out altogether)."""
    from types import SimpleNamespace

    from core.evidence import SourceCache
    from core.generate.contract_facts import Contracts, _binding_en

    (tmp_path / "LoginUserResolver.java").write_text(
        "public class LoginUserResolver implements HandlerMethodArgumentResolver {\n"
        '    public static final String LOGIN_TOKEN_KEY = "X-Shop-Token";\n'
        "    public boolean supportsParameter(MethodParameter p) { return p.hasParameterAnnotation(LoginUser.class); }\n"
        "    public Object resolveArgument(NativeWebRequest request) {\n"
        "        String token = request.getHeader(LOGIN_TOKEN_KEY);\n"
        "        return token;\n    }\n}\n", encoding="utf-8")
    cls = {"symbol_id": "shop.LoginUserResolver", "path": "LoginUserResolver.java"}
    planner = SimpleNamespace(files=SourceCache(tmp_path), data={"classes": [cls]})
    resolver = Contracts(planner)._resolver("LoginUser")
    assert resolver["header"] == {"line": 5, "const": "LOGIN_TOKEN_KEY"}   # no value, no flagged line to cite
    said = _binding_en({"kind": "resolved", "decl": "@LoginUser Integer userId", "annotation": "LoginUser",
                        "resolver": resolver})
    assert "from the request header that the constant `LOGIN_TOKEN_KEY` names (LoginUserResolver.java:5)" in said
    assert "X-Shop-Token" not in said


def test_a_write_under_an_if_whose_else_fails_says_so(tmp_path):
    """`if (status 3 or 4) { write } else { Asserts.fail(..) }`: "updates the row only when .." is followed by what the
    else does, cited (blind read 23AA: mall S32 read as a silent no-op for an unfinished order)."""
    repo, db_path = edited_shop(tmp_path, [DELETE_IN_IF_ELSE_FAILS])
    item = _items(Database(db_path, wait=0.5), repo)["OrdPortalOrderController.deleteOrder"]
    draft = TemplateBackend.draft(item)
    assert '; otherwise it fails with "只能删除已完成或已关闭的订单！" (OrdPortalOrderServiceImpl.java:394)' in draft.answer
    claim = next(t for t in draft.trace if t.claim.startswith("otherwise `OrdPortalOrderServiceImpl.deleteOrder` fails"))
    assert any('Asserts.fail("只能删除已完成或已关闭的订单！")' in e.text for e in item.evidence if e.id in claim.evidence_ids)


def test_an_optional_input_that_every_path_hands_to_a_generated_criterion_is_said_to_fail_without_it(items, tmp_path):
    """`cancelUserOrder(Long orderId)` binds an optional parameter, but `andIdEqualTo(orderId)` runs on every path and
    the generated Example throws for a null value: "optional" alone misled (blind read 24GG: mall S20). A filter the
    code only adds when the value is given stays optional."""
    portal = "shop-portal/src/main/java/io/acdp/shop/portal/controller/OrdPortalOrderController.java"
    repo, db_path = edited_shop(tmp_path, [(portal, "cancelUserOrder(@RequestParam Long orderId)",
                                            "cancelUserOrder(Long orderId)")])
    cancel = _items(Database(db_path), repo)["OrdPortalOrderController.cancelUserOrder"]
    draft = TemplateBackend.draft(cancel)
    assert ("A request without it fails: `andIdEqualTo(orderId)` (OrdPortalOrderServiceImpl.java:329) gets null, and "
            "the generated `OrdOrderExample` throws `RuntimeException` for a null value (OrdOrderExample.java:99)."
            in draft.answer)
    assert "from the optional request parameter" not in draft.answer
    shown = {(e.path.rsplit("/", 1)[-1], n) for e in cancel.evidence for n in range(e.start_line, e.end_line + 1)}
    assert {("OrdOrderExample.java", 99), ("OrdOrderExample.java", 100)} <= shown
    # litemall's `@NotNull Integer id` under `@Validated`: the request is refused before the method, never reaching it
    repo, db_path = edited_shop(tmp_path / "validated", [
        (portal, "cancelUserOrder(@RequestParam Long orderId)", "cancelUserOrder(@NotNull Long orderId)"),
        (portal, "import org.springframework.web.bind.annotation.RestController;",
         "import org.springframework.web.bind.annotation.RestController;\nimport org.springframework.validation.annotation"
         ".Validated;\nimport javax.validation.constraints.NotNull;"),
        (portal, "@RestController", "@RestController\n@Validated")])
    cancel = _items(Database(db_path), repo)["OrdPortalOrderController.cancelUserOrder"]
    assert "`@NotNull` is checked before the method runs" in TemplateBackend.draft(cancel).answer
    assert not _params(cancel)["orderId"].get("null_fails")
    keyword = _params(items["InvSkuStockController.getList"])["keyword"]
    assert keyword["why"] == "required_false" and not keyword.get("null_fails")


PORTAL = "shop-portal/src/main/java/io/acdp/shop/portal/"
SECURITY = '''package io.acdp.shop.portal.config;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

@Configuration
public class PortalSecurityConfig {
    @Autowired
    private WhiteListConfig whiteListConfig;

    @Bean
    SecurityFilterChain filterChain(HttpSecurity http) throws Exception {
        var registry = http.authorizeRequests();
        for (String path : whiteListConfig.getPaths()) {
            registry.antMatchers(path).permitAll();
        }
        registry.antMatchers(HttpMethod.OPTIONS).permitAll();
        registry.antMatchers("/order/pay*").permitAll();
        registry.anyRequest().authenticated();
        if (accessRules != null) {
            registry.and().addFilterBefore(accessRuleFilter, FilterSecurityInterceptor.class);
        }
        return http.build();
    }

    @Autowired(required = false)
    private AccessRuleService accessRules;
    @Autowired(required = false)
    private AccessRuleFilter accessRuleFilter;
}
'''
ACCESS_RULES = '''package io.acdp.shop.portal.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class PortalAccessConfig {
    @Bean
    public AccessRuleService accessRuleService() {
        return path -> true;
    }
}
'''
WHITE_LIST = '''package io.acdp.shop.portal.config;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

@ConfigurationProperties(prefix = "shop.white-list")
public class WhiteListConfig {
    private List<String> paths = new ArrayList<>();

    public List<String> getPaths() {
        return paths;
    }
}
'''
TOKEN_FILTER = '''package io.acdp.shop.portal.config;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.filter.OncePerRequestFilter;

public class TokenFilter extends OncePerRequestFilter {
    @Value("${jwt.tokenHeader}")
    private String tokenHeader;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) {
        String header = request.getHeader(this.tokenHeader);
        chain.doFilter(request, response);
    }
}
'''


def test_a_filter_chain_that_wants_a_login_is_part_of_what_a_caller_sends(tmp_path):
    """mall's portal: every path outside the configured white list needs the login token, which a filter reads from
    a header named in the configuration; "what must a caller send" said only the parameters (blind reads 23AA,
    24JJ: mall S2). A path the list or a literal pattern lets through says so, with the pattern."""
    from core.generate.interceptors import ant_match

    yml = "shop-portal/src/main/resources/application.yml"
    repo, db_path = edited_shop(tmp_path, [
        (PORTAL + "config/PortalSecurityConfig.java", None, SECURITY),
        (PORTAL + "config/WhiteListConfig.java", None, WHITE_LIST),
        (PORTAL + "config/TokenFilter.java", None, TOKEN_FILTER),
        (yml, "jwt:\n", "shop:\n  white-list:\n    paths:\n      - /sso/**\n      - /order/generateConfirmOrder\n\njwt:\n")])
    found = _items(Database(db_path), repo)
    cancel = TemplateBackend.draft(found["OrdPortalOrderController.cancelUserOrder"]).answer
    assert ("- Login: required: `PortalSecurityConfig.filterChain` (PortalSecurityConfig.java:18-23) lets only the paths "
            "of its white list through without login and requires every other request to be authenticated; no pattern "
            "in the list in shop-portal/src/main/resources/application.yml (application.yml:28-32) matches the path "
            "/order/cancelUserOrder; `TokenFilter` reads the login token from the request header named by "
            "`jwt.tokenHeader` (TokenFilter.java:12).") in cancel, cancel
    confirm = TemplateBackend.draft(found["OrdPortalOrderController.generateConfirmOrder"]).answer
    assert "has `/order/generateConfirmOrder` (application.yml:32), which matches the path /order/generateConfirmOrder" \
        in confirm
    pay = TemplateBackend.draft(found["OrdPortalOrderController.paySuccess"]).answer
    assert "and it names `/order/pay*` (PortalSecurityConfig.java:22), which matches the path /order/paySuccess" in pay
    shown = {(e.path.rsplit("/", 1)[-1], n) for e in found["OrdPortalOrderController.cancelUserOrder"].evidence
             for n in range(e.start_line, e.end_line + 1)}
    assert {("PortalSecurityConfig.java", 19), ("PortalSecurityConfig.java", 23), ("application.yml", 31),
            ("TokenFilter.java", 7), ("TokenFilter.java", 12)} <= shown
    # the admin module neither holds the chain nor depends on the portal: its endpoints say nothing of a login
    assert "Login:" not in TemplateBackend.draft(found["OrdOrderController.close"]).answer
    assert "also adds" not in cancel        # no AccessRuleService bean: the conditional filter does not run here
    # a bean of the type the `if` tests switches the filter on: a signed-in caller can still be refused (24LL)
    repo, db_path = edited_shop(tmp_path / "rules", [
        (PORTAL + "config/PortalSecurityConfig.java", None, SECURITY),
        (PORTAL + "config/WhiteListConfig.java", None, WHITE_LIST),
        (PORTAL + "config/TokenFilter.java", None, TOKEN_FILTER),
        (PORTAL + "config/PortalAccessConfig.java", None, ACCESS_RULES),
        (yml, "jwt:\n", "shop:\n  white-list:\n    paths:\n      - /sso/**\n\njwt:\n")])
    ruled = _items(Database(db_path), repo)["OrdPortalOrderController.cancelUserOrder"]
    assert ("The chain also adds `AccessRuleFilter` where a `AccessRuleService` bean exists (PortalSecurityConfig.java:24-26), "
            "and `PortalAccessConfig.accessRuleService` defines one in this module (PortalAccessConfig.java:9): that "
            "filter can refuse a signed-in caller too") in TemplateBackend.draft(ruled).answer
    assert ant_match("/order/detail/*", "/order/detail/{id}") and ant_match("/**/*.js", "/static/a/b.js")
    assert ant_match("/sso/**", "/sso") and not ant_match("/sso/**", "/ssox/login")
