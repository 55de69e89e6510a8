package io.acdp.shop.portal.component;

/**
 * 保存当前请求登录会员ID的线程上下文，由登录拦截器在请求开始时写入
 */
public final class MemberContextHolder {
    private static final ThreadLocal<Long> MEMBER_ID = new ThreadLocal<>();

    private MemberContextHolder() {
    }

    public static void setMemberId(Long memberId) {
        MEMBER_ID.set(memberId);
    }

    public static Long getMemberId() {
        return MEMBER_ID.get();
    }

    public static void clear() {
        MEMBER_ID.remove();
    }
}
