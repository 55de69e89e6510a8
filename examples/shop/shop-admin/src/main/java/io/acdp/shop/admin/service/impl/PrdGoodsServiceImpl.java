package io.acdp.shop.admin.service.impl;

import io.acdp.shop.admin.dao.PrdGoodsDao;
import io.acdp.shop.common.exception.Asserts;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

import java.math.BigDecimal;

/**
 * Goods catalogue maintenance: prices and quantities kept on the goods row.
 */
@Service
public class PrdGoodsServiceImpl {
    @Autowired
    private PrdGoodsDao goodsDao;

    public void deductStock(Long goodsId, Integer count) {
        int updated = goodsDao.deductQuantity(goodsId, count);
        if (updated == 0) {
            Asserts.fail("商品库存不足");
        }
    }

    public void restoreStock(Long goodsId, Integer count) {
        goodsDao.restoreQuantity(goodsId, count);
    }

    public void changePrice(Long goodsId, BigDecimal delta) {
        if (delta == null) {
            Asserts.fail("调价幅度不能为空");
        }
        int updated = goodsDao.raisePrice(goodsId, delta);
        if (updated == 0) {
            Asserts.fail("价格必须大于零");
        }
    }
}
