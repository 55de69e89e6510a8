package io.acdp.shop.admin.dto;

import io.swagger.annotations.ApiModelProperty;
import lombok.Getter;
import lombok.Setter;

/**
 * Delivery (shipping) parameters for one order.
 */
@Getter
@Setter
public class OrdOrderDeliveryParam {
    @ApiModelProperty("order id")
    private Long orderId;

    @ApiModelProperty("logistics company")
    private String deliveryCompany;

    @ApiModelProperty("tracking number")
    private String deliverySn;
}
