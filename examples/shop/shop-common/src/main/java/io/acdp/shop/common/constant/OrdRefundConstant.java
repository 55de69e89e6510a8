package io.acdp.shop.common.constant;

/**
 * 退款申请的状态码（ord_refund.refund_status）。
 * 状态只能按 申请中 -> 已同意 -> 已退款 前进，或从 申请中 变为 已拒绝。
 */
public final class OrdRefundConstant {

    /** 申请中 */
    public static final Short STATUS_APPLIED = 10;
    public static final Short STATUS_APPROVED = 20; // 已同意
    public static final Short STATUS_REJECTED = 30; // 已拒绝
    public static final Short STATUS_REFUNDED = 40;

    /** 退款原因类型：商品问题 */
    public static final Short REASON_QUALITY = 1;
    /** 退款原因类型：不想要了 */
    public static final Short REASON_UNWANTED = 2;

    private OrdRefundConstant() {
    }

    /**
     * 展示给用户的状态文字
     */
    public static String statusText(Short status) {
        switch (status) {
            case 10:
                return "申请中";
            case 20:
                return "已同意";
            case 30:
                return "已拒绝";
            case 40:
                return "已退款";
            default:
                throw new IllegalStateException("未知的退款状态");
        }
    }

    /**
     * 退款是否仍在申请中
     */
    public static boolean isApplied(io.acdp.shop.common.entity.OrdRefund refund) {
        return STATUS_APPLIED.equals(refund.getRefundStatus());
    }
}
