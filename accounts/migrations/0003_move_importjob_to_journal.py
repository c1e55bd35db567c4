# The list import moved to the journal app with its code (people administration hinges on classes). The table
# is kept and renamed by journal.0006; here the model only leaves the accounts app's state.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_historicalpupilprofile_address_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ImportJob")]),
    ]
