package io.acdp.shop.admin.dao;

import org.apache.ibatis.annotations.Param;

import java.math.BigDecimal;

/**
 * Catalogue statements on prd_goods, the product side of the shop.
 */
public interface PrdGoodsDao {
    /**
     * Takes count from the goods' stock; 0 rows when less is left.
     */
    int deductQuantity(@Param("goodsId") Long goodsId, @Param("count") Integer count);

    /**
     * Gives count back to the stock of goods that are still on sale.
     */
    int restoreQuantity(@Param("goodsId") Long goodsId, @Param("count") Integer count);

    /**
     * Moves the price by delta; 0 rows when the price would not stay positive.
     */
    int raisePrice(@Param("goodsId") Long goodsId, @Param("delta") BigDecimal delta);
}
