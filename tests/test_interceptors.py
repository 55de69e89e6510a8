"""Interceptors registered for a path run around its handler: SQL they reach is part of what a request runs, so an
answer listing only the handler's queries is not asked (blind read 20A: newbee's cart-count interceptor)."""

from __future__ import annotations

from pathlib import Path

from core.evidence import SourceCache
from core.generate.interceptors import ant_match, registered

CONFIG = """@Configuration
public class WebConfig implements WebMvcConfigurer {
    @Autowired
    private CartCountInterceptor cartCountInterceptor;

    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new AdminInterceptor())
                .addPathPatterns("/admin/**")
                .excludePathPatterns("/admin/login");
        registry.addInterceptor(cartCountInterceptor)
                .excludePathPatterns("/admin/**", "/login");
        registry.addInterceptor(new TokenInterceptor()).addPathPatterns(Paths.SECURED);
        registry.addInterceptor(unknownInterceptor);
    }
}
"""


def test_ant_patterns_match_as_spring_matches_them():
    assert ant_match("/admin/**", "/admin") and ant_match("/admin/**", "/admin/orders/{id}")
    assert not ant_match("/admin/**", "/administrator")
    assert ant_match("/goods/*", "/goods/{id}") and not ant_match("/goods/*", "/goods/1/edit")
    assert ant_match("/**", "/") and ant_match("/*.html", "/index.html") and not ant_match("/login", "/login/x")


def test_registrations_resolve_their_class_and_read_their_patterns(tmp_path: Path):
    (tmp_path / "WebConfig.java").write_text(CONFIG, encoding="utf-8")
    data = {"files": [{"path": "WebConfig.java"}],
            "classes": [{"symbol_id": f"shop.{n}"} for n in ("AdminInterceptor", "CartCountInterceptor",
                                                              "TokenInterceptor")]}
    found = {i.cls: i for i in registered(data, SourceCache(tmp_path))}
    admin, cart = found["shop.AdminInterceptor"], found["shop.CartCountInterceptor"]
    assert (admin.line, admin.include, admin.exclude) == (7, ("/admin/**",), ("/admin/login",))
    assert admin.matches("/admin/orders") and not admin.matches("/admin/login") and not admin.matches("/orders")
    assert cart.include == () and cart.matches("/orders/{id}") and not cart.matches("/admin/x")
    assert not cart.matches("/login")
    # patterns held in a constant cannot be read: the interceptor counts for every path
    assert found["shop.TokenInterceptor"].include is None and found["shop.TokenInterceptor"].matches("/orders")
    assert len(found) == 3      # `unknownInterceptor` has no declared type in the file: not guessed
