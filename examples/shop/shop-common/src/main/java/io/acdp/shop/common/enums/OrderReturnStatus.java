package io.acdp.shop.common.enums;

/**
 * 退货申请状态：0->待处理；1->退货中；2->已完成；3->已拒绝
 */
public enum OrderReturnStatus {
    /** 待处理 */
    PENDING(0, "待处理"),
    /** 退货中 */
    RETURNING(1, "退货中"),
    /** 已完成 */
    COMPLETED(2, "已完成"),
    /** 已拒绝 */
    REJECTED(3, "已拒绝");

    private final int code;
    private final String desc;

    OrderReturnStatus(int code, String desc) {
        this.code = code;
        this.desc = desc;
    }

    public int getCode() {
        return code;
    }

    public String getDesc() {
        return desc;
    }

    public static OrderReturnStatus fromCode(Integer code) {
        for (OrderReturnStatus status : values()) {
            if (code != null && status.code == code) {
                return status;
            }
        }
        throw new IllegalArgumentException("Unknown return status code: " + code);
    }

    /**
     * 只有待处理的申请可以进入退货中或被拒绝，只有退货中的申请可以完成
     */
    public boolean canTransitTo(OrderReturnStatus target) {
        switch (this) {
            case PENDING:
                return target == RETURNING || target == REJECTED;
            case RETURNING:
                return target == COMPLETED;
            default:
                return false;
        }
    }
}
