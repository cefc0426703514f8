from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    """The benchmark's reference endpoints; installed only by ``portal.settings.bench``."""

    name = "bench.reference"
    label = "bench_reference"
    verbose_name = "Benchmark references"
