"""Server-rendered pages in designs: a controller that puts a service's result into the request and returns a view
name reaches the user only through the template of that name, and a page or script that calls an endpoint is where a
new request input is sent from. Written from scratch (a tiny MVC shop), not taken from any repository."""

from pathlib import Path

from core.evidence import SourceCache
from core.generate.design_facts import CodeFacts

CONTROLLER = """package shop.web;

@Controller
public class TicketPageController {
    @GetMapping("/tickets/{no}")
    public String detail(HttpServletRequest request, @PathVariable("no") String no) {
        TicketView view = ticketService.viewOf(no);
        request.setAttribute("ticketView", view);
        return "desk/ticket-detail";
    }

    @GetMapping("/tickets")
    public String list(HttpServletRequest request) {
        request.setAttribute("ticketPage", ticketService.pageOf(1));
        return "desk/tickets";
    }
}
"""
DETAIL = """<html>
<span th:text="${ticketView.subject}"></span>
<span th:text="${#dates.format(ticketView.openedAt, 'yyyy-MM-dd')}"></span>
<script>
  $.ajax({type: 'PUT', url: '/tickets/' + no + '/close'});
</script>
</html>
"""
GRID = """$("#grid").jqGrid({
    url: '/desk/tickets/list',
    colModel: [
        {label: 'id', name: 'id', hidden: true},
        {label: 'Subject', name: 'subject'},
    ]
});
"""
LIST = """<html>
<span th:text="${ticketPage.total}"></span>
<tr th:each="t : ${ticketPage.rows}"><td th:text="${t.subject}"></td></tr>
</html>
"""


def _facts(tmp_path: Path) -> tuple[CodeFacts, dict]:
    files = {"src/main/java/shop/web/TicketPageController.java": CONTROLLER,
             "src/main/resources/templates/desk/ticket-detail.html": DETAIL,
             "src/main/resources/templates/desk/tickets.html": LIST,
             "src/main/resources/static/js/tickets.js": GRID}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    ctrl_path = "src/main/java/shop/web/TicketPageController.java"
    classes = [{"symbol_id": "shop.web.TicketPageController", "name": "TicketPageController", "layer": "controller"},
               {"symbol_id": "shop.svc.TicketService", "name": "TicketService", "layer": "service"}]
    symbols = [
        {"symbol_id": "shop.web.TicketPageController#detail(HttpServletRequest,String)", "kind": "method",
         "name": "detail", "parent_id": "shop.web.TicketPageController", "path": ctrl_path, "start_line": 5,
         "end_line": 10},
        {"symbol_id": "shop.web.TicketPageController#list(HttpServletRequest)", "kind": "method", "name": "list",
         "parent_id": "shop.web.TicketPageController", "path": ctrl_path, "start_line": 12, "end_line": 16},
        {"symbol_id": "shop.svc.TicketService#viewOf(String)", "kind": "method", "name": "viewOf",
         "parent_id": "shop.svc.TicketService", "path": "x", "start_line": 1, "end_line": 1},
        {"symbol_id": "shop.svc.TicketService#pageOf(int)", "kind": "method", "name": "pageOf",
         "parent_id": "shop.svc.TicketService", "path": "x", "start_line": 1, "end_line": 1},
    ]
    calls = [{"caller_id": symbols[0]["symbol_id"], "callee_id": symbols[2]["symbol_id"],
              "callee_name": "ticketService.viewOf", "path": ctrl_path, "line": 7},
             {"caller_id": symbols[1]["symbol_id"], "callee_id": symbols[3]["symbol_id"],
              "callee_name": "ticketService.pageOf", "path": ctrl_path, "line": 14}]
    data = {"classes": classes, "symbols": symbols, "calls": calls, "files": [], "sql_statements": []}
    return CodeFacts(data, SourceCache(tmp_path)), {s["name"]: s for s in symbols}


def test_the_template_of_the_returned_view_is_where_a_field_is_printed(tmp_path):
    code, m = _facts(tmp_path)
    page = code.rendered_by(m["viewOf"], {"subject", "openedAt"})
    assert len(page) == 1 and page[0]["template"] == "src/main/resources/templates/desk/ticket-detail.html"
    assert (page[0]["attr"], page[0]["var"], page[0]["shows"], page[0]["line"]) == ("ticketView", "ticketView", "subject", 2)
    assert page[0]["date_format"] == "yyyy-MM-dd"          # a time is printed the way the template prints its others


def test_a_list_page_prints_the_loop_variable_not_the_page_object(tmp_path):
    code, m = _facts(tmp_path)
    page = code.rendered_by(m["pageOf"], {"subject"})        # the row view's fields, not the page's `total`
    assert [(p["attr"], p["var"], p["line"]) for p in page] == [("ticketPage", "t", 3)]


def test_the_page_that_calls_an_endpoint_is_found_by_its_route(tmp_path):
    code, _ = _facts(tmp_path)
    calls = code.client_calls("/tickets/{no}/close")
    assert [(c["path"].rsplit("/", 1)[-1], c["line"]) for c in calls] == [("ticket-detail.html", 5)]
    assert code.client_calls("/tickets/{no}/reopen") == []


def test_a_grid_fed_by_an_endpoint_shows_the_columns_it_declares(tmp_path):
    code, _ = _facts(tmp_path)
    call = code.client_calls("/desk/tickets/list")[0]
    column = code.grid_column(call, {"id", "subject"})        # the hidden id column is no place to show a value
    assert (column["line"], column["shows"]) == (5, "subject")
