from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "madoguchi.connectors"
    label = "connectors"
