package io.acdp.shop.admin.service.impl;

import io.acdp.shop.admin.dao.InvSkuStockDao;
import io.acdp.shop.admin.dto.InvStockAdjustParam;
import io.acdp.shop.admin.service.InvSkuStockService;
import io.acdp.shop.common.exception.Asserts;
import io.acdp.shop.common.mapper.InvSkuStockMapper;
import io.acdp.shop.common.model.InvSkuStock;
import io.acdp.shop.common.model.InvStockLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import org.springframework.util.StringUtils;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * 商品SKU库存管理Service实现类
 */
@Service
public class InvSkuStockServiceImpl implements InvSkuStockService {
    private static final Logger LOGGER = LoggerFactory.getLogger(InvSkuStockServiceImpl.class);

    /** 库存流水类型：3->手动调整 */
    private static final int CHANGE_TYPE_ADJUST = 3;

    @Autowired
    private InvSkuStockMapper skuStockMapper;
    @Autowired
    private InvSkuStockDao skuStockDao;

    @Override
    public List<InvSkuStock> getList(Long productId, String keyword) {
        List<InvSkuStock> result = new ArrayList<>();
        for (InvSkuStock skuStock : skuStockMapper.selectByProductId(productId)) {
            if (!StringUtils.hasText(keyword) || skuStock.getSkuCode().contains(keyword)) {
                result.add(skuStock);
            }
        }
        return result;
    }

    @Override
    public int update(Long productId, List<InvSkuStock> skuStockList) {
        int count = 0;
        for (InvSkuStock skuStock : skuStockList) {
            if (skuStock.getLowStock() != null && skuStock.getLowStock() < 0) {
                throw new IllegalArgumentException("预警库存不能为负数");
            }
            count += skuStockDao.updateSkuStock(productId, skuStock);
        }
        return count;
    }

    @Override
    public int adjustStock(InvStockAdjustParam param, String operator) {
        if (param.getQuantity() == null || param.getQuantity() == 0) {
            throw new IllegalArgumentException("调整数量不能为0");
        }
        InvSkuStock skuStock = skuStockMapper.selectByPrimaryKey(param.getSkuId());
        if (skuStock == null) {
            Asserts.fail("SKU不存在");
        }
        //调整后的库存不能小于已被订单锁定的库存
        int newStock = skuStock.getStock() + param.getQuantity();
        if (newStock < skuStock.getLockStock()) {
            Asserts.fail("调整后的库存不能小于已锁定库存");
        }
        int count = skuStockDao.adjustStock(param.getSkuId(), param.getQuantity());
        if (count == 0) {
            Asserts.fail("库存已变化，请刷新后重试");
        }
        //记录库存流水
        InvStockLog log = new InvStockLog();
        log.setSkuId(skuStock.getId());
        log.setChangeType(CHANGE_TYPE_ADJUST);
        log.setQuantity(param.getQuantity());
        log.setStockAfter(newStock);
        log.setOperator(operator);
        log.setNote(param.getNote());
        skuStockDao.insertStockLogList(Collections.singletonList(log));
        //低库存预警
        skuStock.setStock(newStock);
        if (isLowStock(skuStock)) {
            LOGGER.warn("低库存预警：skuId={}, skuCode={}, stock={}, lowStock={}",
                    skuStock.getId(), skuStock.getSkuCode(), newStock, skuStock.getLowStock());
        }
        return count;
    }

    @Override
    public List<InvSkuStock> listLowStock(Long productId) {
        return skuStockDao.listLowStock(productId);
    }

    @Override
    public boolean isLowStock(InvSkuStock skuStock) {
        //库存小于等于预警值即为低库存
        return skuStock.getLowStock() != null && skuStock.getStock() <= skuStock.getLowStock();
    }
}
