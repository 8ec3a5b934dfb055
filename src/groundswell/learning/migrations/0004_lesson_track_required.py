"""Every lesson now belongs to a track, and its questions live in LessonQuestion."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('learning', '0003_one_track_to_many'),
    ]

    operations = [
        migrations.AlterField(
            model_name='lesson',
            name='track',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lessons', to='learning.lessontrack'),
        ),
        migrations.RemoveField(model_name='lesson', name='question'),
        migrations.RemoveField(model_name='lesson', name='choices'),
        migrations.RemoveField(model_name='lesson', name='correct_choice'),
        migrations.RemoveField(model_name='lesson', name='explanation'),
        migrations.AddIndex(
            model_name='lesson',
            index=models.Index(fields=['track', 'position'], name='learning_le_track_i_idx'),
        ),
    ]
