package io.acdp.shop.portal.service.impl;

import io.acdp.shop.common.mapper.InvSkuStockMapper;
import io.acdp.shop.common.mapper.OrdCartItemMapper;
import io.acdp.shop.common.model.InvSkuStock;
import io.acdp.shop.common.model.OrdCartItem;
import io.acdp.shop.portal.dto.CartPromotionItem;
import io.acdp.shop.portal.service.OrdCartItemService;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * 购物车管理Service实现类
 */
@Service
public class OrdCartItemServiceImpl implements OrdCartItemService {
    @Autowired
    private OrdCartItemMapper cartItemMapper;
    @Autowired
    private InvSkuStockMapper skuStockMapper;

    @Override
    public List<CartPromotionItem> listPromotion(Long memberId, List<Long> cartIds) {
        List<CartPromotionItem> result = new ArrayList<>();
        for (OrdCartItem cartItem : cartItemMapper.selectByMemberId(memberId)) {
            //只保留未删除且被选中的购物车商品
            if (cartItem.getDeleteStatus() != 0 || (cartIds != null && !cartIds.contains(cartItem.getId()))) {
                continue;
            }
            CartPromotionItem promotionItem = new CartPromotionItem();
            BeanUtils.copyProperties(cartItem, promotionItem);
            InvSkuStock skuStock = skuStockMapper.selectByPrimaryKey(cartItem.getProductSkuId());
            if (skuStock != null) {
                //真实可用库存 = 库存 - 锁定库存
                promotionItem.setRealStock(skuStock.getStock() - skuStock.getLockStock());
                //有促销价时按促销价计算单件优惠金额
                BigDecimal promotionPrice = skuStock.getPromotionPrice();
                if (promotionPrice != null && promotionPrice.compareTo(cartItem.getPrice()) < 0) {
                    promotionItem.setReduceAmount(cartItem.getPrice().subtract(promotionPrice));
                    promotionItem.setPromotionMessage("单品促销");
                } else {
                    promotionItem.setReduceAmount(BigDecimal.ZERO);
                    promotionItem.setPromotionMessage("无优惠");
                }
            }
            promotionItem.setIntegration(0);
            promotionItem.setGrowth(0);
            result.add(promotionItem);
        }
        return result;
    }

    @Override
    public int delete(Long memberId, List<Long> ids) {
        int count = 0;
        for (Long id : ids) {
            OrdCartItem record = new OrdCartItem();
            record.setId(id);
            record.setMemberId(memberId);
            record.setDeleteStatus(1);
            count += cartItemMapper.updateByPrimaryKeySelective(record);
        }
        return count;
    }
}
