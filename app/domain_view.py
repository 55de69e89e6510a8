"""The domain map page body (filled in once storage.domain_store lands)."""

import streamlit as st


def render() -> None:
    st.title("Domain map")
    st.info("The domain map appears here after the **map** stage has run.")
