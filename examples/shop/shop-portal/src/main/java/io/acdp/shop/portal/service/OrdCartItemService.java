package io.acdp.shop.portal.service;

import io.acdp.shop.portal.dto.CartPromotionItem;

import java.util.List;

/**
 * 购物车管理Service
 */
public interface OrdCartItemService {
    /**
     * 获取包含促销活动信息和可用库存的购物车列表
     */
    List<CartPromotionItem> listPromotion(Long memberId, List<Long> cartIds);

    /**
     * 批量删除购物车中的商品（逻辑删除）
     */
    int delete(Long memberId, List<Long> ids);
}
