package io.acdp.shop.portal.service.impl;

import io.acdp.shop.common.exception.Asserts;
import io.acdp.shop.common.mapper.UmsMemberMapper;
import io.acdp.shop.common.model.UmsMember;
import io.acdp.shop.portal.component.MemberContextHolder;
import io.acdp.shop.portal.service.UmsMemberService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * Default {@link UmsMemberService} backed by the ums_member table.
 */
@Service
public class UmsMemberServiceImpl implements UmsMemberService {
    @Autowired
    private UmsMemberMapper memberMapper;

    @Override
    public UmsMember getCurrentMember() {
        Long memberId = MemberContextHolder.getMemberId();
        if (memberId == null) {
            Asserts.fail("用户未登录");
        }
        return memberMapper.selectByPrimaryKey(memberId);
    }

    @Override
    public void updateIntegration(Long id, Integer integration) {
        UmsMember record = new UmsMember();
        record.setId(id);
        record.setIntegration(integration);
        memberMapper.updateByPrimaryKeySelective(record);
    }
}
