from rest_framework import serializers


# The one error envelope, and the body of answers that are a sentence. (A
# comment, not a docstring: the schema would show a docstring.)
class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
