package io.acdp.shop.admin.service;

import io.acdp.shop.admin.dto.InvStockAdjustParam;
import io.acdp.shop.common.model.InvSkuStock;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;

/**
 * 商品SKU库存管理Service
 */
public interface InvSkuStockService {
    /**
     * 根据商品ID及sku编码模糊搜索sku库存
     */
    List<InvSkuStock> getList(Long productId, String keyword);

    /**
     * 批量更新商品SKU的价格、预警库存等信息
     */
    int update(Long productId, List<InvSkuStock> skuStockList);

    /**
     * 手动调整库存（盘点、报损、补货），并记录库存流水
     */
    @Transactional
    int adjustStock(InvStockAdjustParam param, String operator);

    /**
     * 查询低库存的SKU
     */
    List<InvSkuStock> listLowStock(Long productId);

    /**
     * 判断SKU是否处于低库存状态
     */
    boolean isLowStock(InvSkuStock skuStock);
}
