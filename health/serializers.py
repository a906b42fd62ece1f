from rest_framework import serializers

from procure_site.error_codes import ErrorCode


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


class PingFailedSerializer(PingSerializer):
    detail = serializers.CharField(help_text="The same sentence as `message`.")
    code = serializers.ChoiceField(choices=[ErrorCode.DATABASE_UNAVAILABLE.value])


class ReadinessSerializer(serializers.Serializer):
    status = serializers.CharField()
    detail = serializers.CharField()


class NotReadySerializer(ReadinessSerializer):
    code = serializers.ChoiceField(choices=[ErrorCode.NOT_READY.value])
