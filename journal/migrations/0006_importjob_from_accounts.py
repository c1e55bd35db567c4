# ImportJob moved here from accounts (accounts.0003): the model enters the journal's state on its old table,
# which is then renamed to journal_importjob. No row is copied or lost.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_move_importjob_to_journal"),
        ("journal", "0005_changed_records_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportJob",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("pupils", "учащиеся и родители"), ("staff", "сотрудники")],
                                max_length=10,
                                verbose_name="что загружается",
                            ),
                        ),
                        ("file_name", models.CharField(max_length=255, verbose_name="файл")),
                        ("rows", models.JSONField(default=list, verbose_name="строки")),
                        ("errors", models.JSONField(default=list, verbose_name="ошибки")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="загружен")),
                        ("applied_at", models.DateTimeField(blank=True, null=True, verbose_name="применён")),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="загрузил",
                            ),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="imports",
                                to="accounts.school",
                                verbose_name="школа",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "загрузка списка",
                        "verbose_name_plural": "загрузки списков",
                        "ordering": ["-created_at"],
                        "db_table": "accounts_importjob",
                    },
                ),
            ]
        ),
        migrations.AlterModelTable(name="importjob", table=None),
    ]
