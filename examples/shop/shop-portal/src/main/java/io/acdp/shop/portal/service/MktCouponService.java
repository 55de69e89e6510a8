package io.acdp.shop.portal.service;

import io.acdp.shop.portal.dto.CartPromotionItem;
import io.acdp.shop.portal.dto.MktCouponHistoryDetail;

import java.util.List;

/**
 * Coupon lookup and usage for the portal.
 */
public interface MktCouponService {
    /**
     * Lists the member's unused coupons that can (type = 1) or cannot (type = 0)
     * be applied to the given cart items.
     */
    List<MktCouponHistoryDetail> listCart(Long memberId, List<CartPromotionItem> cartItemList, Integer type);

    /**
     * Marks a member's coupon as used (useStatus = 1) or unused again (useStatus = 0).
     */
    void updateCouponStatus(Long couponId, Long memberId, Integer useStatus);
}
