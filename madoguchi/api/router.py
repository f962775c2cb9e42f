from ninja import NinjaAPI

api = NinjaAPI(title="Madoguchi API", version="1", urls_namespace="api")
