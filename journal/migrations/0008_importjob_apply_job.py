# The import is applied by a Celery job with its state and progress on the ImportJob. Files applied before are done.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def applied_files_are_done(apps, schema_editor):
    ImportJob = apps.get_model("journal", "ImportJob")
    ImportJob.objects.filter(applied_at__isnull=False).update(status="done", finished_at=models.F("applied_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('journal', '0007_homework_due_date'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='applied_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='применил'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='error',
            field=models.TextField(blank=True, verbose_name='ошибка'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='finished_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='закончен'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='progress_done',
            field=models.PositiveIntegerField(default=0, verbose_name='строк подготовлено'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='progress_total',
            field=models.PositiveIntegerField(default=0, verbose_name='строк всего'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='queued_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='поставлен в очередь'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='начат'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='status',
            field=models.CharField(choices=[('checked', 'проверен'), ('queued', 'в очереди'), ('running', 'загружается'), ('done', 'загружен'), ('failed', 'не загружен')], default='checked', max_length=10, verbose_name='состояние'),
        ),
        migrations.RunPython(applied_files_are_done, migrations.RunPython.noop),
    ]
