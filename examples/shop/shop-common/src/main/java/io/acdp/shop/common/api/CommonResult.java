package io.acdp.shop.common.api;

/**
 * Uniform response body returned by every REST endpoint.
 *
 * @param <T> payload type
 */
public class CommonResult<T> {
    public static final long SUCCESS = 200;
    public static final long FAILED = 500;
    public static final long VALIDATE_FAILED = 404;
    public static final long UNAUTHORIZED = 401;

    private long code;
    private String message;
    private T data;

    protected CommonResult() {
    }

    protected CommonResult(long code, String message, T data) {
        this.code = code;
        this.message = message;
        this.data = data;
    }

    public static <T> CommonResult<T> success(T data) {
        return new CommonResult<>(SUCCESS, "操作成功", data);
    }

    public static <T> CommonResult<T> success(T data, String message) {
        return new CommonResult<>(SUCCESS, message, data);
    }

    public static <T> CommonResult<T> failed(String message) {
        return new CommonResult<>(FAILED, message, null);
    }

    public static <T> CommonResult<T> failed() {
        return failed("操作失败");
    }

    public static <T> CommonResult<T> validateFailed(String message) {
        return new CommonResult<>(VALIDATE_FAILED, message, null);
    }

    public static <T> CommonResult<T> unauthorized(T data) {
        return new CommonResult<>(UNAUTHORIZED, "暂未登录或token已经过期", data);
    }

    public long getCode() {
        return code;
    }

    public String getMessage() {
        return message;
    }

    public T getData() {
        return data;
    }
}
