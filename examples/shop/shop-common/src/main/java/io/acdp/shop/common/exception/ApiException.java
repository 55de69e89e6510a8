package io.acdp.shop.common.exception;

/**
 * 业务异常，由全局异常处理器转换为 CommonResult.failed(message)
 */
public class ApiException extends RuntimeException {

    public ApiException(String message) {
        super(message);
    }

    public ApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
