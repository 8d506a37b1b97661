#!/bin/sh
# Start the front end in the background and the API in the foreground.
set -e
streamlit run streamlit_app/app.py --server.port 8501 --server.headless true &
exec uvicorn backend.main:app --host 0.0.0.0 --port 8080
