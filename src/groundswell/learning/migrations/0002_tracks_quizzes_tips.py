"""Several tracks per workspace, lessons with an image, a video and a quiz, quiz attempts and tips.

The old single question stays on Lesson until 0003 has copied it into LessonQuestion; 0004 removes it."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import groundswell.lib.storage


class Migration(migrations.Migration):

    dependencies = [
        ('learning', '0001_lessons'),
        ('videos', '0001_videos'),
        ('workspaces', '0005_membership_awaiting_acceptance'),
    ]

    operations = [
        migrations.AlterField(
            model_name='lessontrack',
            name='workspace',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lesson_tracks', to='workspaces.workspace'),
        ),
        migrations.AddField(
            model_name='lessontrack',
            name='title',
            field=models.CharField(default='Lessons', max_length=120),
        ),
        migrations.AddField(
            model_name='lessontrack',
            name='description',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='lessontrack',
            name='position',
            field=models.PositiveIntegerField(default=0, help_text='Order on the lessons page (lower comes first)'),
        ),
        migrations.AddField(
            model_name='lessontrack',
            name='departments',
            field=models.ManyToManyField(blank=True, related_name='+', to='workspaces.department'),
        ),
        migrations.AddField(
            model_name='lessontrack',
            name='roles',
            field=models.JSONField(blank=True, default=list, help_text='Role values (admin, manager, employee)'),
        ),
        migrations.AddField(
            model_name='lessontrack',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterModelOptions(
            name='lessontrack',
            options={'ordering': ['position', 'pk']},
        ),
        migrations.AddField(
            model_name='lesson',
            name='track',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='lessons', to='learning.lessontrack'),
        ),
        migrations.AddField(
            model_name='lesson',
            name='image',
            field=models.FileField(blank=True, storage=groundswell.lib.storage.private_storage, upload_to='learning/images/%Y/%m/'),
        ),
        migrations.AddField(
            model_name='lesson',
            name='image_alt',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='lesson',
            name='video',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='lessons', to='videos.video'),
        ),
        migrations.AddField(
            model_name='lesson',
            name='pass_percent',
            field=models.PositiveSmallIntegerField(default=100),
        ),
        migrations.CreateModel(
            name='LessonQuestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('text', models.CharField(max_length=300)),
                ('choices', models.JSONField(default=list)),
                ('correct_choice', models.PositiveSmallIntegerField()),
                ('explanation', models.TextField()),
                ('lesson', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='learning.lesson')),
            ],
            options={
                'ordering': ['position', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='QuizAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('correct', models.PositiveSmallIntegerField()),
                ('total', models.PositiveSmallIntegerField()),
                ('passed', models.BooleanField()),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('lesson', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='learning.lesson')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quiz_attempts', to='workspaces.membership')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='workspaces.workspace')),
            ],
            options={
                'indexes': [models.Index(fields=['member', 'lesson'], name='learning_qu_member__idx')],
            },
        ),
        migrations.CreateModel(
            name='Tip',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=120)),
                ('text', models.TextField(max_length=600)),
                ('url', models.URLField(blank=True, max_length=500)),
                ('week_of', models.DateField(blank=True, null=True)),
                ('position', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tips', to='workspaces.workspace')),
            ],
            options={
                'ordering': ['position', 'pk'],
                'indexes': [models.Index(fields=['workspace', 'week_of'], name='learning_ti_workspa_idx')],
            },
        ),
    ]
