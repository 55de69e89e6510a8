"""The curator's Streamlit app: entry point (main.py) and the widgets its pages share."""
