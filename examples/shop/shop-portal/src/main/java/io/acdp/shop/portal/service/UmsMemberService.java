package io.acdp.shop.portal.service;

import io.acdp.shop.common.model.UmsMember;

/**
 * Member lookups used by the order flow.
 */
public interface UmsMemberService {
    /**
     * Returns the member bound to the current request.
     */
    UmsMember getCurrentMember();

    /**
     * Overwrites the member's points balance.
     */
    void updateIntegration(Long id, Integer integration);
}
