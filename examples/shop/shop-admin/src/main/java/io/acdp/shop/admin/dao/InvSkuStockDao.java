package io.acdp.shop.admin.dao;

import io.acdp.shop.common.model.InvSkuStock;
import io.acdp.shop.common.model.InvStockLog;
import org.apache.ibatis.annotations.Param;

import java.util.List;

/**
 * Custom stock statements for the admin back office.
 */
public interface InvSkuStockDao {
    /**
     * SKUs whose stock is at or below their low-stock threshold.
     */
    List<InvSkuStock> listLowStock(@Param("productId") Long productId);

    /**
     * Adds a signed delta to the stock; refused (0 rows) when the result would drop below the locked stock.
     */
    int adjustStock(@Param("skuId") Long skuId, @Param("delta") Integer delta);

    /**
     * Updates price / threshold fields of one SKU of the given product.
     */
    int updateSkuStock(@Param("productId") Long productId, @Param("sku") InvSkuStock sku);

    /**
     * Releases stock locked by an order that was closed from the back office.
     */
    int releaseLockStock(@Param("skuId") Long skuId, @Param("quantity") Integer quantity);

    /**
     * Writes stock journal rows in one statement.
     */
    int insertStockLogList(@Param("list") List<InvStockLog> list);
}
