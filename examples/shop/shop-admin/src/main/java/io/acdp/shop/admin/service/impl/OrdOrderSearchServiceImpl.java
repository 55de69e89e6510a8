package io.acdp.shop.admin.service.impl;

import com.github.pagehelper.PageHelper;
import io.acdp.shop.common.mapper.OrdOrderMapper;
import io.acdp.shop.common.model.OrdOrder;
import io.acdp.shop.common.model.OrdOrderExample;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

import java.util.Date;
import java.util.List;

/**
 * Back-office order search: a member's live orders, or any order created before a cut-off that is still unpaid.
 */
@Service
public class OrdOrderSearchServiceImpl {
    @Autowired
    private OrdOrderMapper orderMapper;

    public List<OrdOrder> search(Long memberId, List<Integer> statuses, Date before, String sort, int pageNum, int pageSize) {
        OrdOrderExample example = new OrdOrderExample();
        example.setOrderByClause("create_time desc");
        OrdOrderExample.Criteria criteria = example.createCriteria().andMemberIdEqualTo(memberId)
                .andDeleteStatusEqualTo(0);
        if (statuses != null && !statuses.isEmpty()) {
            criteria.andStatusIn(statuses);
        }
        if (before != null) {
            example.or().andStatusEqualTo(0).andCreateTimeLessThan(before);
        }
        if (sort != null) {
            example.setOrderByClause(sort);
        }
        PageHelper.startPage(pageNum, pageSize);
        return orderMapper.selectByExample(example);
    }
}
