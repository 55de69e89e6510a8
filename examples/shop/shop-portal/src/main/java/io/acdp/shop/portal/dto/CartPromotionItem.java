package io.acdp.shop.portal.dto;

import io.acdp.shop.common.model.OrdCartItem;
import lombok.Getter;
import lombok.Setter;

import java.math.BigDecimal;

/**
 * Cart item enriched with promotion information and the SKU's real stock.
 */
@Getter
@Setter
public class CartPromotionItem extends OrdCartItem {
    /** Human-readable promotion description. */
    private String promotionMessage;

    /** Per-unit amount reduced by promotions. */
    private BigDecimal reduceAmount;

    /** Available stock of the SKU: stock - lockStock. */
    private Integer realStock;

    /** Points granted when buying this product. */
    private Integer integration;

    /** Growth value granted when buying this product. */
    private Integer growth;
}
