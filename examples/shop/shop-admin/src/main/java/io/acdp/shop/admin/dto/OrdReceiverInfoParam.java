package io.acdp.shop.admin.dto;

import lombok.Getter;
import lombok.Setter;

/**
 * 修改订单收货人信息参数
 */
@Getter
@Setter
public class OrdReceiverInfoParam {
    private Long orderId;
    private String receiverName;
    private String receiverPhone;
    private String receiverPostCode;
    private String receiverDetailAddress;
    private String receiverProvince;
    private String receiverCity;
    private String receiverRegion;
    /** 订单状态：0->待付款；1->待发货；2->已发货；3->已完成；4->已关闭；5->无效订单 */
    private Integer status;
}
