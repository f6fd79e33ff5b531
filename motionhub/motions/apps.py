from django.apps import AppConfig


class MotionsConfig(AppConfig):
    name = "motionhub.motions"
    label = "motions"
    verbose_name = "Motions and tasks"

    def ready(self) -> None:
        from motionhub.motions import results, track

        track.task_succeeded.connect(results.on_task_succeeded, dispatch_uid="clean-download")
