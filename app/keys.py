"""Keyboard handling for the review pages, and the reviewer's name remembered in a cookie.

Streamlit's own button shortcuts fire whenever a key is pressed, also while
the next sample is still being drawn, so a fast double press decided a
sample nobody saw. This script (run once per browser tab through
`st.html(..., unsafe_allow_javascript=True)`; it carries no data, only
code) takes the keys instead:

- A / X / S / U / E click Accept / Reject / Skip / Undo / Edit, and every
  further key is ignored until the page has drawn the next sample (the
  header changed and Streamlit's status widget is idle again);
- 1-9 pick a reject reason;
- Escape leaves a text field, and cancels an open edit;
- Enter in a one-line text field (the reject note, the reviewer name)
  hands focus back to the page, so the next X rejects instead of typing;
- keys typed into any text field are never taken.

The reviewer name typed in the sidebar is copied to a cookie, which the
server reads on the next visit (`st.context.cookies`): a reload keeps it.
"""

from __future__ import annotations

import json

import streamlit as st

COOKIE = "acdp_reviewer"
ACTIONS = {"a": "accept", "x": "reject", "s": "skip", "u": "undo", "e": "edit"}

_SCRIPT = """
<script>
(() => {
  const w = window;
  if (w.__acdpKeys) return;
  w.__acdpKeys = true;
  const doc = document;
  const ACTIONS = %(actions)s;
  let waitingSince = 0, headerBefore = null, idleSince = 0;
  const q = (sel) => doc.querySelector(sel);
  const task = () => (q('.st-key-qa-undo') ? 'qa' : q('.st-key-design-undo') ? 'design' : null);
  const button = (t, name) => q('.st-key-' + t + '-' + name + ' button');
  const header = () => { const h = q('[class*="-sample-head"]'); return h ? h.innerText : null; };
  const running = () => { const s = q('[data-testid="stStatusWidget"]'); return !!s && /Running|Stop/.test(s.innerText); };
  // After a key acted, watch the page every 50 ms: it is ready again once the next sample is drawn and
  // Streamlit's run is over (or the run ended without moving on, e.g. a refused reject).
  const watch = () => {
    const timer = setInterval(() => {
      const now = Date.now();
      if (running()) { idleSince = 0; return; }
      if (!idleSince) idleSince = now;
      const drawn = header() !== headerBefore;
      if ((drawn && now - idleSince > 120) || (!drawn && now - idleSince > 600) || now - waitingSince > 5000) {
        waitingSince = 0;
        clearInterval(timer);
      }
    }, 50);
  };
  const busy = () => waitingSince !== 0;
  w.__acdpBusy = busy;
  const typing = (el) => el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
  doc.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = task();
    if (!t) return;
    const el = e.target;
    if (e.key === 'Escape') {
      if (typing(el)) el.blur();
      const cancel = button(t, 'edit-cancel');
      if (cancel) { cancel.click(); e.preventDefault(); }
      return;
    }
    if (typing(el)) {
      if (e.key === 'Enter' && el.tagName === 'INPUT' && el.closest('[data-testid="stTextInput"]')) {
        setTimeout(() => el.blur(), 0);
      }
      return;
    }
    const key = e.key.toLowerCase();
    const digit = /^[1-9]$/.test(key);
    if (!digit && !(key in ACTIONS)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (busy()) return;  // the next sample is still loading: this key would land on a sample nobody saw
    if (digit) {
      const pills = doc.querySelectorAll('.st-key-' + t + '-reason button');
      const pill = pills[Number(key) - 1];
      if (pill) pill.click();
      return;
    }
    // the page may still be drawing the buttons (a run in progress): wait for this one, briefly
    headerBefore = header(); waitingSince = Date.now(); idleSince = 0;
    const pressed = Date.now();
    const fire = () => {
      const b = button(t, ACTIONS[key]);
      if (b && !b.disabled) { b.click(); watch(); return; }
      if (Date.now() - pressed < 2000) { setTimeout(fire, 50); return; }
      waitingSince = 0;
    };
    fire();
  }, true);
  const remember = (e) => {
    const el = e.target;
    if (el && el.closest && el.closest('.st-key-_reviewer_box')) {
      doc.cookie = '%(cookie)s=' + encodeURIComponent(el.value.trim()) + '; path=/; max-age=31536000; SameSite=Strict';
    }
  };
  doc.addEventListener('input', remember, true);
  doc.addEventListener('change', remember, true);
})();
</script>
"""


def install() -> None:
    """Put the key handler into the page (a no-op after the first time in a browser tab)."""
    st.html(_SCRIPT % {"actions": json.dumps(ACTIONS), "cookie": COOKIE}, unsafe_allow_javascript=True)
