from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "madoguchi.web"
    label = "web"
