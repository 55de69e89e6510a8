package io.acdp.shop.portal;

import org.mybatis.spring.annotation.MapperScan;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Entry point of the customer-facing portal (cart, order, payment).
 */
@SpringBootApplication(scanBasePackages = "io.acdp.shop")
@EnableScheduling
@MapperScan({"io.acdp.shop.common.mapper", "io.acdp.shop.portal.dao"})
public class PortalApplication {

    public static void main(String[] args) {
        SpringApplication.run(PortalApplication.class, args);
    }
}
