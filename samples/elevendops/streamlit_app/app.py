"""ElevenDops front end."""

import os

import requests
import streamlit as st

API = os.environ.get("ELEVENDOPS_API", "http://127.0.0.1:8080")

st.title("ElevenDops")
try:
    incidents = requests.get(f"{API}/incidents", timeout=2).json()
except requests.RequestException as exc:
    st.error(f"The API does not answer: {exc}")
    incidents = []
for incident in incidents:
    st.write(f"**{incident['title']}** ({incident['severity']})")
