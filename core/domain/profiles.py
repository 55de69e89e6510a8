"""Business domains as keyword profiles, and labelling code with them.

A domain is recognised by words (English and Chinese) in names and comments,
by class-name prefixes (mall's `Oms`, the example shop's `Ord`), and by the
tables its SQL touches (`oms_`, `inv_`). The built-in profiles cover a
Chinese e-commerce code base; a YAML file given with `--domain-config` adds
domains or replaces built-in ones:

    domains:
      refund:
        terms: [refund, return, 退款, 退货]
        class_prefixes: [Ret]
        table_prefixes: [ret_]
        tables: [oms_order_return_apply]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from core.errors import UserError


@dataclass(frozen=True)
class DomainProfile:
    name: str
    terms: tuple[str, ...] = ()            # lower-case words in identifiers, or Chinese terms in text
    class_prefixes: tuple[str, ...] = ()   # `Oms` matches OmsOrder, OmsPortalOrderServiceImpl
    table_prefixes: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()           # single tables that belong here whatever their prefix

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(t for t in self.terms if t.isascii())

    @cached_property
    def cjk(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if not t.isascii())


BUILTIN: dict[str, DomainProfile] = {
    p.name: p for p in (
        DomainProfile(
            "order",
            ("order", "orders", "cart", "checkout", "coupon", "pay", "payment", "paid", "freight", "delivery",
             "ship", "receiver", "refund", "return", "integration", "points", "订单", "下单", "购物车", "优惠券",
             "支付", "付款", "运费", "发货", "收货", "退货", "积分", "取消"),
            ("Oms", "Ord"), ("oms_", "ord_"), ("sms_coupon_history", "mkt_coupon_history"),
        ),
        DomainProfile(
            "stock",
            ("stock", "stocks", "inventory", "sku", "skus", "warehouse", "库存", "锁定库存", "仓库"),
            ("Inv",), ("inv_",), ("pms_sku_stock",),
        ),
        DomainProfile(
            "product",
            ("product", "products", "brand", "category", "attribute", "商品", "品牌", "分类"),
            ("Pms", "Prd"), ("pms_", "prd_"),
        ),
        DomainProfile(
            "member",
            ("member", "members", "user", "login", "address", "会员", "用户", "登录", "地址"),
            ("Ums",), ("ums_",),
        ),
        DomainProfile(
            "marketing",
            ("coupon", "promotion", "flash", "seckill", "advertise", "优惠券", "促销", "秒杀", "广告"),
            ("Sms", "Mkt"), ("sms_", "mkt_"),
        ),
        DomainProfile(
            "content",
            ("subject", "topic", "help", "preference", "专题", "话题", "帮助"),
            ("Cms",), ("cms_",),
        ),
    )
}

_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def words_of(identifier: str) -> set[str]:
    """`OmsPortalOrderServiceImpl` -> {oms, portal, order, service, impl}; `lock_stock` -> {lock, stock}."""
    out: set[str] = set()
    for part in re.split(r"[^A-Za-z0-9]+", identifier):
        out.update(w.lower() for w in _CAMEL.findall(part))
    return out


def load_profiles(config: Path | None) -> dict[str, DomainProfile]:
    """The built-in profiles, with those of `config` (YAML) added or replacing same-named ones."""
    profiles = dict(BUILTIN)
    if config is None:
        return profiles
    if not config.is_file():
        raise UserError(f"domain config not found: {config}")
    try:
        doc = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"domain config {config} is not valid YAML: {str(exc).splitlines()[0]}") from None
    domains = doc.get("domains") if isinstance(doc, dict) else None
    if not isinstance(domains, dict) or not domains:
        raise UserError(f"domain config {config} needs a `domains:` mapping of name -> terms/class_prefixes/...")
    for name, spec in domains.items():
        if not isinstance(spec, dict):
            raise UserError(f"domain config {config}: `{name}` must map to terms / class_prefixes / table_prefixes")
        unknown = set(spec) - {"terms", "class_prefixes", "table_prefixes", "tables"}
        if unknown:
            raise UserError(f"domain config {config}: `{name}` has unknown keys {sorted(unknown)}; "
                            "use terms, class_prefixes, table_prefixes, tables")
        profiles[str(name)] = DomainProfile(
            str(name),
            tuple(str(t).lower() if str(t).isascii() else str(t) for t in spec.get("terms") or ()),
            tuple(str(t) for t in spec.get("class_prefixes") or ()),
            tuple(str(t).lower() for t in spec.get("table_prefixes") or ()),
            tuple(str(t).lower() for t in spec.get("tables") or ()),
        )
    return profiles


def select(profiles: dict[str, DomainProfile], names: list[str]) -> list[DomainProfile]:
    unknown = [n for n in names if n not in profiles]
    if unknown:
        raise UserError(f"unknown domain {', '.join(unknown)}: known domains are {', '.join(sorted(profiles))} "
                        "(add more with --domain-config FILE)")
    return [profiles[n] for n in names]


class Labeler:
    """Which of the selected domains a class, a method, a table or a piece of text belongs to."""

    def __init__(self, selected: list[DomainProfile]):
        self.selected = selected

    def for_table(self, table: str) -> list[str]:
        table = table.lower().rsplit(".", 1)[-1]
        exact = [p.name for p in self.selected if table in p.tables]
        if exact:
            return exact
        return [p.name for p in self.selected if any(table.startswith(pre) for pre in p.table_prefixes)]

    def for_class(self, simple_name: str) -> list[str]:
        """By prefix (`OmsCartItem` is order) or else by a term in the name (`PortalOrderDao`)."""
        by_prefix = [p.name for p in self.selected
                     if any(simple_name.startswith(pre) and simple_name[len(pre):len(pre) + 1].isupper()
                            for pre in p.class_prefixes)]
        if by_prefix:
            return by_prefix
        return self.for_words(simple_name)

    def for_words(self, identifier: str) -> list[str]:
        words = words_of(identifier)
        return [p.name for p in self.selected if words & p.words]

    def for_text(self, text: str | None) -> list[str]:
        if not text:
            return []
        words = words_of(text)
        return [p.name for p in self.selected if words & p.words or any(t in text for t in p.cjk)]


def merge(*groups: list[str]) -> list[str]:
    out: list[str] = []
    for group in groups:
        for name in group:
            if name not in out:
                out.append(name)
    return out
