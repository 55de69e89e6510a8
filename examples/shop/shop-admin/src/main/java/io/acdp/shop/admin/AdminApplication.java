package io.acdp.shop.admin;

import org.mybatis.spring.annotation.MapperScan;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * 后台管理系统启动类
 */
@SpringBootApplication(scanBasePackages = "io.acdp.shop")
@MapperScan({"io.acdp.shop.common.mapper", "io.acdp.shop.admin.dao"})
public class AdminApplication {

    public static void main(String[] args) {
        SpringApplication.run(AdminApplication.class, args);
    }
}
