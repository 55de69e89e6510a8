package io.acdp.shop.portal.dto;

import io.acdp.shop.common.model.MktCoupon;
import io.acdp.shop.common.model.MktCouponHistory;
import lombok.Getter;
import lombok.Setter;

/**
 * 优惠券领取历史及其对应的优惠券信息
 */
@Getter
@Setter
public class MktCouponHistoryDetail extends MktCouponHistory {
    private MktCoupon coupon;
}
