"""Write side of lrsearch: crawl → decode → clean → metadata/sections → passages → index."""
