from ninja import NinjaAPI

api = NinjaAPI(
    title="Groundswell API", version="1", urls_namespace="api", openapi_url="/openapi.json", docs_url="/docs"
)
