package io.acdp.shop.portal.dto;

import io.acdp.shop.common.model.UmsIntegrationConsumeSetting;
import io.acdp.shop.common.model.UmsMemberReceiveAddress;
import lombok.Getter;
import lombok.Setter;

import java.math.BigDecimal;
import java.util.List;

/**
 * 确认单信息：购物车商品、收货地址、可用优惠券、积分规则及金额汇总
 */
@Getter
@Setter
public class ConfirmOrderResult {
    private List<CartPromotionItem> cartPromotionItemList;

    private List<UmsMemberReceiveAddress> memberReceiveAddressList;

    private List<MktCouponHistoryDetail> couponHistoryDetailList;

    private UmsIntegrationConsumeSetting integrationConsumeSetting;

    private Integer memberIntegration;

    private CalcAmount calcAmount;

    @Getter
    @Setter
    public static class CalcAmount {
        /** 订单商品总金额 */
        private BigDecimal totalAmount;
        /** 运费 */
        private BigDecimal freightAmount;
        /** 活动优惠 */
        private BigDecimal promotionAmount;
        /** 应付金额 */
        private BigDecimal payAmount;
    }
}
