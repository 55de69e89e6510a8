package io.acdp.shop.admin.controller;

import io.acdp.shop.admin.service.impl.PrdGoodsServiceImpl;
import io.acdp.shop.common.api.CommonResult;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;

/**
 * Back-office goods catalogue.
 */
@RestController
@RequestMapping("/goods")
public class PrdGoodsController {
    @Autowired
    private PrdGoodsServiceImpl goodsService;

    @PostMapping("/{id}/deduct")
    public CommonResult<Void> deduct(@PathVariable Long id, @RequestParam Integer count) {
        goodsService.deductStock(id, count);
        return CommonResult.success(null);
    }

    @PostMapping("/{id}/restore")
    public CommonResult<Void> restore(@PathVariable Long id, @RequestParam Integer count) {
        goodsService.restoreStock(id, count);
        return CommonResult.success(null);
    }

    @PostMapping("/{id}/price")
    public CommonResult<Void> price(@PathVariable Long id, @RequestParam BigDecimal delta) {
        goodsService.changePrice(id, delta);
        return CommonResult.success(null);
    }
}
