package io.acdp.shop.portal.controller;

import io.acdp.shop.common.api.CommonResult;
import io.acdp.shop.portal.service.OrdShipmentService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/shipment")
public class OrdShipmentController {
    @Autowired
    private OrdShipmentService shipmentService;

    @PostMapping("/{id}/ship")
    public CommonResult<String> ship(@PathVariable Long id) {
        shipmentService.ship(id);
        return CommonResult.success("ok");
    }

    @PostMapping("/{id}/receive")
    public CommonResult<String> receive(@PathVariable Long id) {
        shipmentService.receive(id);
        return CommonResult.success("ok");
    }
}
