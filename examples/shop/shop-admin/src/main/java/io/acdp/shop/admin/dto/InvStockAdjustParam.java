package io.acdp.shop.admin.dto;

import io.swagger.annotations.ApiModelProperty;
import lombok.Getter;
import lombok.Setter;

/**
 * Manual stock adjustment request (stock-taking, damage, restock).
 */
@Getter
@Setter
public class InvStockAdjustParam {
    @ApiModelProperty("sku id")
    private Long skuId;

    @ApiModelProperty("signed quantity: positive to add stock, negative to remove")
    private Integer quantity;

    @ApiModelProperty("reason of the adjustment")
    private String note;
}
