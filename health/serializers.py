from rest_framework import serializers


class ServiceSerializer(serializers.Serializer):
    service = serializers.CharField()
    version = serializers.CharField()
    docs_url = serializers.CharField()
    health_check = serializers.CharField()


class CheckSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["success", "failed"])
    error = serializers.CharField(allow_null=True)


class DatabaseCheckSerializer(serializers.Serializer):
    read = CheckSerializer()
    write = CheckSerializer()


class PingSerializer(serializers.Serializer):
    message = serializers.CharField()
    timestamp = serializers.DateTimeField()
    database = DatabaseCheckSerializer()


class ReadinessSerializer(serializers.Serializer):
    status = serializers.CharField()
    detail = serializers.CharField()
