"""FastAPI replica of fleet's model-server, the way the NGINX + FastAPI tutorials build one."""
