import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [
        ('consultations', '0004_round_version_and_target'),
        ('dispositions', '0003_record_keeps_its_deciders'),
        ('outcomes', '0003_adopt_existing_versions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DecisionRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='revision')),
                ('change', models.CharField(choices=[('decided', 'Decision'), ('reconfirmed', 'Link re-confirmed'), ('moved', 'Link moved'), ('unlinked', 'Link removed')], default='decided', max_length=12, verbose_name='change')),
                ('kind', models.CharField(choices=[('reflected', 'Reflected'), ('excluded', 'Excluded')], max_length=12, verbose_name='decision')),
                ('ground', models.CharField(blank=True, choices=[('legal', 'Legal ground'), ('public_morality', 'Public morality')], max_length=20, verbose_name='exclusion ground')),
                ('extent', models.CharField(blank=True, choices=[('full', 'Fully'), ('partial', 'Partly')], max_length=8, verbose_name='extent')),
                ('legal_provision', models.TextField(blank=True, max_length=2000, verbose_name='legal provision cited')),
                ('justification', models.TextField(blank=True, max_length=5000, verbose_name='justification')),
                ('decided_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='decided at')),
            ],
            options={
                'verbose_name': 'decision revision',
                'verbose_name_plural': 'decision revisions',
                'ordering': ['submission', 'number'],
            },
        ),
        migrations.AlterModelOptions(
            name='clauselink',
            options={'ordering': ['clause__position', 'pk'], 'verbose_name': 'clause link', 'verbose_name_plural': 'clause links'},
        ),
        migrations.AddField(
            model_name='clauselink',
            name='fingerprint',
            field=models.CharField(default='', max_length=64, verbose_name='fingerprint'),
        ),
        migrations.AddField(
            model_name='clauselink',
            name='identity',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='links', to='outcomes.clauseidentity'),
        ),
        migrations.AddField(
            model_name='decisionrevision',
            name='decided_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='decisionrevision',
            name='submission',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='consultations.submission'),
        ),
        migrations.AddField(
            model_name='decisionrevision',
            name='version',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outcomes.documentversion'),
        ),
        migrations.AddField(
            model_name='clauselink',
            name='revision',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='links', to='dispositions.decisionrevision'),
        ),
        migrations.AddField(
            model_name='disposition',
            name='revision',
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='current_of', to='dispositions.decisionrevision'),
        ),
        migrations.AddConstraint(
            model_name='decisionrevision',
            constraint=models.UniqueConstraint(fields=('submission', 'number'), name='revision_number_unique_per_submission'),
        ),
        migrations.AddConstraint(
            model_name='decisionrevision',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('extent__in', ['full', 'partial']), ('ground', ''), ('justification', ''), ('kind', 'reflected'), ('legal_provision', '')), models.Q(('extent', ''), ('ground', 'legal'), ('kind', 'excluded'), models.Q(('legal_provision', ''), _negated=True)), models.Q(('extent', ''), ('ground', 'public_morality'), ('kind', 'excluded'), models.Q(('justification', ''), _negated=True)), _connector='OR'), name='revision_reflected_xor_grounded_exclusion', violation_error_message='A disposition is either reflected, or excluded with a ground and its citation or justification.'),
        ),
        # The links of earlier revisions are rebuilt beside the current ones: they need no disposition,
        # and may name the same clause again.
        migrations.RemoveConstraint(
            model_name='clauselink',
            name='clause_link_once_per_clause',
        ),
        migrations.AlterField(
            model_name='clauselink',
            name='disposition',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='links', to='dispositions.disposition'),
        ),
    ]
