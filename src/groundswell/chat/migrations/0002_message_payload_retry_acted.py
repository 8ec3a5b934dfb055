from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chat', '0001_installations_identities_messages'),
    ]

    operations = [
        migrations.AddField(
            model_name='chatmessage',
            name='acted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='chatmessage',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='chatmessage',
            name='payload',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name='chatmessage',
            name='status',
            field=models.CharField(choices=[('claimed', 'Being sent'), ('retrying', 'Waiting to try again'), ('sent', 'Sent'), ('failed', 'Failed')], default='claimed', max_length=8),
        ),
    ]
