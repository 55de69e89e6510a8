package io.acdp.shop.admin.controller;

import io.acdp.shop.admin.dto.InvStockAdjustParam;
import io.acdp.shop.admin.service.InvSkuStockService;
import io.acdp.shop.common.api.CommonResult;
import io.acdp.shop.common.model.InvSkuStock;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * Back-office SKU stock management.
 */
@RestController
@RequestMapping("/sku")
public class InvSkuStockController {
    @Autowired
    private InvSkuStockService skuStockService;

    /**
     * Lists the SKUs of a product, optionally filtered by sku code.
     */
    @GetMapping("/{pid}")
    public CommonResult<List<InvSkuStock>> getList(@PathVariable Long pid,
                                                   @RequestParam(value = "keyword", required = false) String keyword) {
        return CommonResult.success(skuStockService.getList(pid, keyword));
    }

    /**
     * Batch update of price / low-stock threshold.
     */
    @PostMapping("/update/{pid}")
    public CommonResult<Integer> update(@PathVariable Long pid, @RequestBody List<InvSkuStock> skuStockList) {
        int count = skuStockService.update(pid, skuStockList);
        if (count > 0) {
            return CommonResult.success(count);
        }
        return CommonResult.failed();
    }

    /**
     * Manual stock adjustment.
     */
    @PostMapping("/adjust")
    public CommonResult<Integer> adjust(@RequestBody InvStockAdjustParam param,
                                        @RequestHeader(value = "X-Operator", defaultValue = "admin") String operator) {
        if (param.getSkuId() == null) {
            return CommonResult.validateFailed("skuId is required");
        }
        int count = skuStockService.adjustStock(param, operator);
        if (count > 0) {
            return CommonResult.success(count);
        }
        return CommonResult.failed("库存调整失败");
    }

    /**
     * SKUs at or below their low-stock threshold.
     */
    @GetMapping("/lowStock")
    public CommonResult<List<InvSkuStock>> lowStock(@RequestParam(value = "productId", required = false) Long productId) {
        return CommonResult.success(skuStockService.listLowStock(productId));
    }
}
