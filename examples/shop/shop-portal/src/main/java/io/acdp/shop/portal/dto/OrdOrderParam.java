package io.acdp.shop.portal.dto;

import io.swagger.annotations.ApiModelProperty;
import lombok.Getter;
import lombok.Setter;

import java.math.BigDecimal;
import java.util.List;

/**
 * 生成订单时传入的参数
 */
@Getter
@Setter
public class OrdOrderParam {
    @ApiModelProperty("收货地址ID")
    private Long memberReceiveAddressId;

    @ApiModelProperty("优惠券ID")
    private Long couponId;

    @ApiModelProperty("使用的积分数")
    private Integer useIntegration;

    @ApiModelProperty("支付方式：0->未支付；1->支付宝；2->微信")
    private Integer payType;

    @ApiModelProperty("订单来源：0->PC订单；1->app订单")
    private Integer sourceType;

    @ApiModelProperty("被选中的购物车商品ID")
    private List<Long> cartIds;

    @ApiModelProperty("前端展示的应付金额，用于与后端计算结果核对")
    private BigDecimal expectedPayAmount;
}
