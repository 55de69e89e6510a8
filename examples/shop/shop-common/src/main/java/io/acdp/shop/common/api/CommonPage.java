package io.acdp.shop.common.api;

import com.github.pagehelper.PageInfo;

import java.util.List;

/**
 * 分页数据封装类
 */
public class CommonPage<T> {
    private Integer pageNum;
    private Integer pageSize;
    private Integer totalPage;
    private Long total;
    private List<T> list;

    /**
     * 将PageHelper分页后的list转为分页信息
     */
    public static <T> CommonPage<T> restPage(List<T> list) {
        CommonPage<T> result = new CommonPage<>();
        PageInfo<T> pageInfo = new PageInfo<>(list);
        result.pageNum = pageInfo.getPageNum();
        result.pageSize = pageInfo.getPageSize();
        result.totalPage = pageInfo.getPages();
        result.total = pageInfo.getTotal();
        result.list = pageInfo.getList();
        return result;
    }

    public Integer getPageNum() {
        return pageNum;
    }

    public Integer getPageSize() {
        return pageSize;
    }

    public Integer getTotalPage() {
        return totalPage;
    }

    public Long getTotal() {
        return total;
    }

    public List<T> getList() {
        return list;
    }
}
